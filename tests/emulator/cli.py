"""Command line: start the emulator on 127.0.0.1 and serve until SIGTERM / SIGINT, or print its credentials."""

import argparse
import errno
import json
import os
import shutil
import signal
import ssl
import sys
import threading

from emulator import credentials

EMULATOR_DIR = os.path.dirname(os.path.abspath(__file__))
PROG = "python tests/emulator"
# The third-party packages the server imports (tests/emulator/requirements.txt), by top-level module name.
SDK_MODULES = ("huaweicloudsdkcore", "tencentcloud")


class StartError(Exception):
    """The emulator cannot start; the message is the one line it prints (what is wrong, and the fix)."""


def _port(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a port number (0 to 65535; 0 picks a free one)" % text) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("%d is not a port number (0 to 65535; 0 picks a free one)" % port)
    return port


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description="Local cloud emulator for cloudjobs.cleanup")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0, help="port, 0 picks a free one")
    parser.add_argument("--port-file", help="write the port number to this file once listening")
    parser.add_argument("--seed", choices=["demo"], help="load the demo data")
    parser.add_argument("--config", help="settings as a JSON string or the path of a JSON file (see docs/emulator.md)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    parser.add_argument("--print-credentials", choices=["json", "shell", "yaml"],
                        help="print the credentials the emulator accepts and exit: json, shell (EMULATOR_<NAME>=value "
                             "lines for eval) or yaml (the shipped playbooks' huaweicloud_auth and tencentcloud_auth)")
    parser.add_argument("--endpoint", help="with --print-credentials yaml: the endpoint to put in the variables")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.print_credentials:
        sys.stdout.write(credentials.render(args.print_credentials, args.endpoint))
        return 0
    try:
        server, scheme = start(args)
    except StartError as exc:
        # One line, what is wrong and the fix; a traceback would bury both.
        sys.stderr.write("%s: %s\n" % (PROG, exc))
        return 2
    return serve(server, scheme, args)


def _missing_sdk(exc):
    """The message for an ImportError of the SDKs the server needs, or None for any other ImportError."""
    name = (getattr(exc, "name", None) or "").split(".")[0]
    if name not in SDK_MODULES and not any(m in str(exc) for m in SDK_MODULES):
        return None
    requirements = os.path.join(EMULATOR_DIR, "requirements.txt")
    if not os.path.relpath(requirements).startswith(".."):
        requirements = os.path.relpath(requirements)
    on_path = shutil.which("python")
    pip = "pip" if on_path and os.path.abspath(on_path) == sys.executable else "%s -m pip" % sys.executable
    return "cannot verify signatures without the official SDKs (%s); install them with: %s install -r %s" % (
        str(exc).splitlines()[0] if str(exc) else "no module %s" % name, pip, requirements)


def _load_config(text):
    if os.path.exists(text):
        with open(text, encoding="utf-8") as f:
            text = f.read()
    try:
        changes = json.loads(text)
    except ValueError as exc:
        raise StartError("--config is neither a JSON file nor a JSON object: %s" % exc) from None
    if not isinstance(changes, dict):
        raise StartError("--config must be a JSON object of settings (docs/emulator.md)")
    return changes


def start(args):
    """The server, bound and ready to serve, and its scheme; StartError with a one-line message when it cannot."""
    # Imported here: the server verifies signatures with the SDKs, which --print-credentials does not need.
    try:
        from emulator.demo import demo_seed  # pylint: disable=import-outside-toplevel
        from emulator.server import EmulatorServer, seed  # pylint: disable=import-outside-toplevel
        from emulator.state import EmulatorState  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        message = _missing_sdk(exc)
        if message is None:
            raise
        raise StartError(message) from None

    state = EmulatorState()
    if args.config:
        try:
            state.configure(_load_config(args.config))
        except (ValueError, TypeError) as exc:
            raise StartError("--config: %s" % exc) from None
    if args.seed == "demo":
        seed(state, demo_seed())

    try:
        server = EmulatorServer((args.host, args.port), state)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartError("port %d is in use; pick another with --port or --port 0" % args.port) from None
        if exc.errno == errno.EACCES:
            raise StartError("port %d needs privileges; pick another with --port or --port 0" % args.port) from None
        reason = exc.strerror or exc
        raise StartError("cannot listen on %s port %d: %s; check --host" % (args.host, args.port, reason)) from None
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            server.server_close()
            reason = exc.strerror or exc
            raise StartError("cannot load --tls-cert %s / --tls-key %s: %s"
                             % (args.tls_cert, args.tls_key, reason)) from None
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    return server, scheme


def serve(server, scheme, args):
    """Write the port file, say where it listens, and serve until SIGTERM / SIGINT."""
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print("listening on %s://%s:%d" % (scheme, args.host, port), flush=True)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
