package io.herald.room;

import io.herald.config.ConfigException;
import io.herald.config.RoomsConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A party: its binding name, URL name (kebab-case), how to build its {@link Room}, its access rule
 * and its optional static {@code onBeforeConnect} gate, which sees both socket upgrades and plain HTTP
 * requests to the party's rooms. Immutable.
 */
public final class RoomBinding {
    private final String name;
    private final String party;
    private final Supplier<? extends Room> factory;
    private final RoomsConfig.Access access;
    private final Function<ConnectRequest, ? extends Admission> gate;

    /** A binding whose gate only refuses (empty lets the request in, without props); a null gate lets everything in. */
    public RoomBinding(String name, Supplier<? extends Room> factory, RoomsConfig.Access access,
                       Function<ConnectRequest, Optional<Refusal>> gate) {
        this(gate == null ? null : refusing(gate), name, factory, access);
    }

    private RoomBinding(Function<ConnectRequest, ? extends Admission> gate, String name, Supplier<? extends Room> factory,
                        RoomsConfig.Access access) {
        this.name = name;
        this.party = RoomsConfig.partyName(name);
        this.factory = factory;
        this.access = access == null ? RoomsConfig.Access.AUTHENTICATED : access;
        this.gate = gate == null ? r -> Admission.admit() : gate;
    }

    /**
     * A binding whose gate decides with an {@link Admission}: refuse, or let in with props the room
     * receives in {@link ConnectionContext#props()} and {@link HttpRequest#props()}.
     */
    public static RoomBinding admitting(String name, Supplier<? extends Room> factory, RoomsConfig.Access access,
                                        Function<ConnectRequest, Admission> gate) {
        return new RoomBinding(gate, name, factory, access);
    }

    private static Function<ConnectRequest, Admission> refusing(Function<ConnectRequest, Optional<Refusal>> gate) {
        return r -> gate.apply(r).<Admission>map(x -> x).orElse(Admission.admit());
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
        return new RoomBinding(staticGate(type), name, factory, access);
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

    /** The class's static onBeforeConnect, in either of its two forms; null when it has none. */
    @SuppressWarnings("unchecked")
    private static Function<ConnectRequest, Admission> staticGate(Class<?> type) {
        try {
            Method m = type.getMethod("onBeforeConnect", ConnectRequest.class);
            boolean admits = m.getReturnType() == Admission.class;
            if (!Modifier.isStatic(m.getModifiers()) || !(admits || m.getReturnType() == Optional.class)) {
                throw new ConfigException("rooms.bindings", type.getName()
                        + ".onBeforeConnect must be public static Optional<Refusal> onBeforeConnect(ConnectRequest)"
                        + " or public static Admission onBeforeConnect(ConnectRequest)");
            }
            Function<ConnectRequest, Object> call = r -> {
                try {
                    return m.invoke(null, r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("onBeforeConnect failed", e.getCause() == null ? e : e.getCause());
                }
            };
            return admits ? r -> Objects.requireNonNull((Admission) call.apply(r), "onBeforeConnect returned null")
                    : refusing(r -> (Optional<Refusal>) call.apply(r));
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

    /** Runs the gate; empty means allowed (props, if any, are dropped: use {@link #admit}). */
    public Optional<Refusal> beforeConnect(ConnectRequest request) {
        return admit(request) instanceof Refusal r ? Optional.of(r) : Optional.empty();
    }

    /** Runs the gate: a {@link Refusal}, or {@link Admission.Admit} with the props for the room. */
    public Admission admit(ConnectRequest request) {
        return Objects.requireNonNull(gate.apply(request), "onBeforeConnect returned null");
    }
}
