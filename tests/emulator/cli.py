"""Command line: start the emulator on 127.0.0.1 and serve until SIGTERM / SIGINT, or print its credentials."""

import argparse
import json
import os
import signal
import ssl
import sys
import threading

from emulator import credentials


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python tests/emulator", description="Local cloud emulator for cloudjobs.cleanup")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 picks a free one")
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
    return serve(args)


def serve(args):
    # Imported here: the server verifies signatures with the SDKs, which --print-credentials does not need.
    from emulator.demo import demo_seed  # pylint: disable=import-outside-toplevel
    from emulator.server import EmulatorServer, seed  # pylint: disable=import-outside-toplevel
    from emulator.state import EmulatorState  # pylint: disable=import-outside-toplevel

    state = EmulatorState()
    if args.config:
        text = open(args.config, encoding="utf-8").read() if os.path.exists(args.config) else args.config
        state.configure(json.loads(text))
    if args.seed == "demo":
        seed(state, demo_seed())

    server = EmulatorServer((args.host, args.port), state)
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
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
