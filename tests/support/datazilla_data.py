"""Datazilla's side of a test world: the development OAuth credentials, signed uploads, Talos runs."""

from __future__ import annotations

import copy
import json
import random
from urllib.parse import quote

from tests.support.oauth_signing import form_body, sign_form

DEV_KEY, DEV_SECRET = "talos-dev-key", "talos-dev-secret"
HOST = "shipyard.test"


def signed_upload(client, blob_text: str, project: str = "talos", path: str | None = None,
                  key: str = DEV_KEY, secret: str = DEV_SECRET, **sign_options):
    """POST a blob the way Datazilla's client does: form field ``data``, url-quoted, signed."""
    path = path or f"/{project}/api/load_test"
    fields = sign_form(f"http://{HOST}{path}", {"data": quote(blob_text), "user": project}, key, secret,
                       **sign_options)
    return client.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": HOST},
        body=form_body(fields),
    )


def talos_run(blob: dict, revision: str, means: dict[str, float], replicates: int = 25, seed: int = 0,
              date: int = 1343674800) -> str:
    """The fixture blob with its pages' replicates drawn around ``means`` (deterministic)."""
    rng = random.Random(seed)
    run = copy.deepcopy(blob)
    run["test_build"]["revision"] = revision[:12]
    run["testrun"]["date"] = date
    run["results"] = {page: [round(rng.gauss(mean, mean * 0.02), 2) for _ in range(replicates)]
                      for page, mean in means.items()}
    return json.dumps(run)
