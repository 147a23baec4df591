"""A failure of the system or a library said in words, for error messages: never a Python class name.

`in_words(FileNotFoundError(2, ..., "x.csv"))` is "no such file or directory", `in_words(KeyError("adamId"))`
is "the field `adamId` is missing", an httpx timeout is "no answer in time". Only the standard library: httpx's
exceptions are recognised by name, so any layer may use this.
"""

from __future__ import annotations

# httpx exception class -> what happened
_TRANSPORT = {
    "ConnectError": "could not connect",
    "ConnectTimeout": "connecting timed out",
    "ReadTimeout": "the answer took longer than the timeout",
    "WriteTimeout": "sending timed out",
    "PoolTimeout": "no free connection in time",
    "TimeoutException": "no answer in time",
    "ReadError": "the connection broke while reading the answer",
    "WriteError": "the connection broke while sending",
    "CloseError": "the connection broke while closing",
    "RemoteProtocolError": "the server broke off the answer",
    "LocalProtocolError": "the request could not be sent as HTTP",
    "ProxyError": "the proxy refused the connection",
    "UnsupportedProtocol": "the URL is not http or https",
    "InvalidURL": "the URL is not valid",
    "DecodingError": "the answer could not be decoded",
    "TooManyRedirects": "too many redirects",
    "NetworkError": "the network failed",
    "ProtocolError": "the HTTP exchange broke",
    "TransportError": "the connection failed",
    "HTTPStatusError": "the server answered with an error status",
    "CookieConflict": "two cookies of the same name",
    "StreamError": "the answer could not be read as a stream",
    "RequestError": "the request failed",
    "HTTPError": "the HTTP exchange failed",
}


def in_words(error: BaseException, *, path: bool = False) -> str:
    """What went wrong, in lower-case words, with the detail the error carries (a field name; the path of an
    operating-system error with `path`, when the message does not name it already)."""
    for kind in type(error).__mro__:
        if kind.__name__ in _TRANSPORT:
            return _TRANSPORT[kind.__name__]
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(error, OSError):
        words = (error.strerror or "the operating system refused").lower()
        return f"{words}: {error.filename}" if path and error.filename else words
    if isinstance(error, KeyError):
        return f"the field `{error.args[0] if error.args else ''}` is missing"
    if isinstance(error, TypeError | ValueError | AttributeError):
        return f"a value has the wrong type or form ({error})" if str(error) else "a value has the wrong type or form"
    text = str(error)
    return text if text else "it failed"
