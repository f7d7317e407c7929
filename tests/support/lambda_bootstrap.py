"""Run one handler of the unzipped artifact the way the Lambda Python runtime does.

Started as ``python3.13 -I -S tests/support/lambda_bootstrap.py SPEC.json`` so that nothing of the
project's venv is importable: ``sys.path`` is built as Lambda builds it (the function's code,
the layer, then the runtime's own packages), and the runtime's real bootstrap, awslambdaric
(the Runtime Interface Client of AWS's python3.13 image), sets logging up, imports the
handler module, builds each invocation's context and marshals the result. Only the Runtime
API, the HTTP service that hands it events inside Lambda, is replaced: events come from the
spec file and results go to ``SPEC.json``'s "results" path.

Spec: {"task": dir, "layer": dir, "runtime": dir, "handler": "module.function",
"events": [...], "results": path, "probe": bool}. Timings (seconds from the start of this
script): "runtime_loaded" when awslambdaric was imported, "init" when the handler was
imported (and the runtime's logging set up), then each invocation's end ("at").
"""

import json
import sys
import time

STARTED = time.perf_counter()


def _lambda_sys_path(spec):
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    layer = spec["layer"]
    return [spec["task"], f"{layer}/python/lib/{version}/site-packages", f"{layer}/python", spec["runtime"]]


class _NoMoreEvents(Exception):
    pass


class ListRuntimeClient:
    """The Runtime API's part of awslambdaric's loop: events from a list, results kept."""

    def __init__(self, events, marshaller):
        self.marshaller = marshaller
        self._events = list(events)
        self.results = []
        self.init_error = None
        self.init_at = None
        self.ids = []

    def wait_next_invocation(self):
        from types import SimpleNamespace

        if self.init_at is None:
            self.init_at = time.perf_counter() - STARTED
        if not self._events:
            raise _NoMoreEvents
        number = len(self.results) + 1
        invoke_id = f"00000000-0000-4000-8000-{number:012d}"
        self.ids.append(invoke_id)
        return SimpleNamespace(
            invoke_id=invoke_id, tenant_id=None, x_amzn_trace_id=None,
            event_body=json.dumps(self._events.pop(0)).encode(), content_type="application/json",
            client_context=None, cognito_identity=None,
            invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:shipyard-dev",
            deadline_time_in_ms=int(time.time() * 1000) + 60_000, invocation_id=None,
        )

    def post_invocation_result(self, invoke_id, result, content_type, invocation_id=None):
        body = result.decode() if isinstance(result, bytes) else result
        self.results.append({"request_id": invoke_id, "ok": True, "result": json.loads(body),
                             "at": time.perf_counter() - STARTED})

    def post_invocation_error(self, invoke_id, error_json, xray_fault_json, invocation_id=None):
        self.results.append({"request_id": invoke_id, "ok": False, "error": json.loads(error_json),
                             "at": time.perf_counter() - STARTED})

    def post_init_error(self, error_result, *args):
        self.init_error = error_result


def _probe():
    """What the function's setup left behind, for tests/deploy/test_lambda_artifact.py."""
    import importlib.util
    import logging

    boot = sys.modules.get("chalicelib.boot")
    patcher = sys.modules.get("aws_xray_sdk.core.patcher")
    return {
        "boot_done": bool(boot and boot.done()),
        "xray_patched": sorted(patcher._PATCHED_MODULES) if patcher else [],
        "chalicelib_level": logging.getLevelName(logging.getLogger("chalicelib").getEffectiveLevel()),
        "scipy_loaded": "scipy" in sys.modules,
        # where each would be imported from (without importing it)
        "module_files": {name: importlib.util.find_spec(name).origin
                         for name in ("chalice", "boto3", "botocore", "numpy", "scipy", "awslambdaric")},
    }


def main():
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    sys.path[:0] = _lambda_sys_path(spec)
    import os

    os.chdir(spec["task"])
    from awslambdaric import bootstrap
    from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller

    runtime_loaded = time.perf_counter() - STARTED

    client = ListRuntimeClient(spec["events"], LambdaMarshaller())
    exit_code = 0
    try:
        bootstrap.run(spec["handler"], client)
    except _NoMoreEvents:
        pass
    except SystemExit as stop:  # the runtime's answer to a failed init
        exit_code = stop.code or 1
    report = {"runtime_loaded": runtime_loaded, "init": client.init_at, "init_error": client.init_error,
              "results": client.results, "request_ids": client.ids}
    if spec.get("probe"):
        report["probe"] = _probe()
    with open(spec["results"], "w") as out:
        json.dump(report, out)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
