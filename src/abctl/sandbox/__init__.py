"""A faithful local stand-in for Apple's App and Book Management API v2, as a standard-library WSGI application.

`SandboxApp` serves it; `server.serve()` puts it on 127.0.0.1, and `abctl.apple.transport.in_process_transport`
mounts it without sockets. Standard library only.
"""
