package io.herald.room;

import io.herald.config.ConfigException;
import io.herald.config.RoomsConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A party: its binding name, URL name (kebab-case), how to build its {@link Room}, its access rule
 * and its optional static {@code onBeforeConnect} gate. Immutable.
 */
public final class RoomBinding {
    private final String name;
    private final String party;
    private final Supplier<? extends Room> factory;
    private final RoomsConfig.Access access;
    private final Function<ConnectRequest, Optional<Refusal>> gate;

    public RoomBinding(String name, Supplier<? extends Room> factory, RoomsConfig.Access access,
                       Function<ConnectRequest, Optional<Refusal>> gate) {
        this.name = name;
        this.party = RoomsConfig.partyName(name);
        this.factory = factory;
        this.access = access == null ? RoomsConfig.Access.AUTHENTICATED : access;
        this.gate = gate == null ? r -> Optional.empty() : gate;
    }

    /** A binding of a Room class, as configured: public no-arg constructor, optional static gate. */
    public static RoomBinding of(String name, Class<? extends Room> type, RoomsConfig.Access access) {
        Constructor<? extends Room> ctor;
        try {
            ctor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new ConfigException("rooms.bindings." + name, type.getName() + " needs a public no-argument constructor");
        }
        Supplier<Room> factory = () -> {
            try {
                return ctor.newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build " + type.getName(), e.getCause() == null ? e : e.getCause());
            }
        };
        return new RoomBinding(name, factory, access, staticGate(type));
    }

    /** Loads {@code className} with {@code loader} and binds it. */
    public static RoomBinding load(RoomsConfig.Binding b, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(b.className(), false, loader);
            if (!Room.class.isAssignableFrom(c)) {
                throw new ConfigException("rooms.bindings." + b.name() + ".className", b.className() + " does not extend io.herald.room.Room");
            }
            return of(b.name(), c.asSubclass(Room.class), b.access());
        } catch (ClassNotFoundException e) {
            throw new ConfigException("rooms.bindings." + b.name() + ".className", "class " + b.className() + " not found");
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<ConnectRequest, Optional<Refusal>> staticGate(Class<?> type) {
        try {
            Method m = type.getMethod("onBeforeConnect", ConnectRequest.class);
            if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != Optional.class) {
                throw new ConfigException("rooms.bindings", type.getName()
                        + ".onBeforeConnect must be public static Optional<Refusal> onBeforeConnect(ConnectRequest)");
            }
            return r -> {
                try {
                    return (Optional<Refusal>) m.invoke(null, r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("onBeforeConnect failed", e.getCause() == null ? e : e.getCause());
                }
            };
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    public String name() {
        return name;
    }

    public String party() {
        return party;
    }

    public RoomsConfig.Access access() {
        return access;
    }

    Room newRoom() {
        return factory.get();
    }

    /** Runs the static gate; empty means allowed. */
    public Optional<Refusal> beforeConnect(ConnectRequest request) {
        return gate.apply(request);
    }
}
