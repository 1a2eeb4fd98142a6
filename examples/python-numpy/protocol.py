"""The diffspec process protocol, version 1 (docs/protocol.md): JSON-RPC 2.0 on stdin/stdout, one message per line.

The whole transport: serve(handlers, info) answers `initialize` with `info` and each operation request with its
handler; a handler calls `model(xt, t)` (a callback request to diffspec) while it samples. Tensors travel as
{shape, dtype, data: little-endian base64}.
"""
import base64
import binascii
import json
import sys
import traceback

import numpy as np


class InvalidInput(Exception):
    """A bad argument: answered as error -32602 with data.field naming it."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


def decode_tensor(value, field):
    if isinstance(value, list):
        return np.asarray(value, dtype=np.float64)
    if not isinstance(value, dict) or "shape" not in value or "data" not in value:
        raise InvalidInput(field, "must be a tensor {shape, dtype, data}")
    shape, data = value["shape"], value["data"]
    if isinstance(data, str):
        dtype = {"float64": "<f8", "float32": "<f4"}[value.get("dtype", "float64")]
        array = np.frombuffer(binascii.a2b_base64(data), dtype=dtype).astype(np.float64)
    else:
        array = np.asarray(data, dtype=np.float64)
    if array.size != int(np.prod(shape)):
        raise InvalidInput(field, f"has {array.size} values for shape {shape}")
    return array.reshape(shape)


def encode_tensor(array):
    array = np.ascontiguousarray(array, dtype="<f8")
    return {"shape": list(array.shape), "dtype": "float64", "data": base64.b64encode(array.tobytes()).decode("ascii")}


def serve(handlers, info):
    out = sys.stdout
    sys.stdout = sys.stderr  # a stray print() from any library goes to stderr, never into the protocol
    callbacks = iter(range(1, 1 << 62))

    def send(message):
        out.write(json.dumps(message, separators=(",", ":")) + "\n")
        out.flush()

    def model(xt, t):
        request_id = f"m{next(callbacks)}"
        send({"jsonrpc": "2.0", "id": request_id, "method": "model",
              "params": {"inputs": {"xt": encode_tensor(xt), "t": [int(v) for v in t]}}})
        while True:
            answer = json.loads(sys.stdin.readline())
            if answer.get("id") == request_id:
                if "error" in answer:
                    raise RuntimeError(f"model: {answer['error']['message']}")
                return decode_tensor(answer["result"]["modelOutput"], "model output")

    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        request = json.loads(line)
        method, request_id = request.get("method"), request.get("id")
        try:
            if method == "initialize":
                result = info
            elif method in handlers:
                result = handlers[method](request.get("params") or {}, model)
            else:
                send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": f"no method {method}"}})
                continue
            send({"jsonrpc": "2.0", "id": request_id, "result": result})
        except InvalidInput as e:
            error = {"code": -32602, "message": str(e), "data": {"field": e.field}}
            send({"jsonrpc": "2.0", "id": request_id, "error": error})
        except Exception as e:  # noqa: BLE001 - any failure of one operation is that operation's error
            traceback.print_exc()
            send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32603, "message": f"{type(e).__name__}: {e}"}})
