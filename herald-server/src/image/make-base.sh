#!/usr/bin/env bash
# Builds a minimal Java base image for `./mvnw -Pimage package` where no registry is reachable:
#
#   herald-server/src/image/make-base.sh herald-server/target/image-base.tar
#   ./mvnw -Pimage package -Dherald.image.base=tar://$PWD/herald-server/target/image-base.tar
#
# The image is a docker-save tarball (manifest.json, a config, one layer) holding
#   - /opt/java/openjdk: a jlink'd runtime of the build JDK (JAVA_HOME, else the `java` on the PATH) with the
#     modules Herald and its libraries use (`jdeps --print-module-deps` of herald.jar, less java.desktop, which only
#     Jackson's optional java.beans probe and micrometer's unused Log4j2 binder name, and java.compiler, which only
#     Vert.x's source-file verticles do; plus jdk.crypto.ec, the EC provider that TLS and ES256 JWTs load as a
#     service, which jdeps cannot see; HERALD_IMAGE_MODULES replaces the list);
#   - the glibc libraries that runtime loads (`ldd` of bin/java and every lib/**/*.so), plus the ones the
#     native libraries Herald unpacks at run time need (sqlite-jdbc: libm, libpthread; netty epoll and io_uring: libdl, librt);
#   - /etc/passwd and /etc/group (root, herald 65532, nobody), /etc/nsswitch.conf, /tmp (1777), the CA bundle.
# No shell, no package manager. It is reproducible on one machine: sorted entries, owner 0:0, every time
# stamp at 0, a fixed creation date in the config; the same JDK and libraries give the same bytes.
# It runs the JVM it was built from, so the image's architecture is this machine's.
set -euo pipefail

out=${1:?usage: make-base.sh OUT.tar}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
modules=${HERALD_IMAGE_MODULES:-java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.unsupported}

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then
  jdk=$JAVA_HOME
else
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
[ -x "$jdk/bin/jlink" ] || { echo "make-base.sh: no jlink in $jdk (a JDK with jmods is needed, not a JRE)" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "make-base.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
rt=$root/opt/java/openjdk
mkdir -p "$root/opt/java" "$work/image"

"$jdk/bin/jlink" --add-modules "$modules" --output "$rt" --strip-debug --no-header-files --no-man-pages

# Debian's JDK links its trust store to /etc/ssl/certs/java/cacerts (ca-certificates-java); jlink copies the jmod's
# own, which there is empty. Take the trust store the build JDK actually uses.
if [ -s "$jdk/lib/security/cacerts" ]; then
  cp -L "$jdk/lib/security/cacerts" "$rt/lib/security/cacerts"
fi

# the shared libraries: what ldd resolves for the runtime, outside the runtime itself
libs=$( { ldd "$rt/bin/java"; find "$rt/lib" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | grep -v "^$rt/" | sort -u)
libc=$(printf '%s\n' "$libs" | grep '/libc\.so\.6$' | head -n 1)
[ -n "$libc" ] || { echo "make-base.sh: ldd found no libc.so.6 (is this a glibc system?)" >&2; exit 1; }
libdir=$(dirname "$libc")
for extra in libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libresolv.so.2 libnss_files.so.2 libnss_dns.so.2; do
  [ -e "$libdir/$extra" ] && libs="$libs"$'\n'"$libdir/$extra"
done
for lib in $(printf '%s\n' "$libs" | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

mkdir -p "$root/etc/ssl/certs" "$root/tmp"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nherald:x:65532:65532:herald:/data:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nherald:x:65532:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
find "$root" -type d -exec chmod 755 {} +
find "$root" -type f -exec chmod go-w {} +
chmod 644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"

(cd "$root" && tar --create --file "$work/image/layer.tar" --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime=@0 --owner=0 --group=0 --numeric-owner ./*)

diff_id=$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)
config='{"architecture":"'$arch'","os":"linux","created":"1970-01-01T00:00:00Z",'
config+='"config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",'
config+='"JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"]},'
config+='"rootfs":{"type":"layers","diff_ids":["sha256:'$diff_id'"]},'
config+='"history":[{"created":"1970-01-01T00:00:00Z","created_by":"herald-server/src/image/make-base.sh ('$("$rt/bin/java" -version 2>&1 | head -n 1 | tr -d '"')')"}]}'
printf '%s' "$config" >"$work/image/config.json"
config_id=$(sha256sum "$work/image/config.json" | cut -d' ' -f1)
mv "$work/image/config.json" "$work/image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["herald-base:local"],"Layers":["layer.tar"]}]' "$config_id" >"$work/image/manifest.json"

mkdir -p "$(dirname "$out")"
(cd "$work/image" && tar --create --file "$out.tmp" --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime=@0 --owner=0 --group=0 --numeric-owner manifest.json "$config_id.json" layer.tar)
mv "$out.tmp" "$out"
echo "make-base.sh: $out ($(du -h "$out" | cut -f1), $("$rt/bin/java" -version 2>&1 | head -n 1), $arch)"
