"""The PyPI ``kernelci`` 1.1 client, unmodified, against Shipyard over real HTTP; root names reserved."""

from __future__ import annotations

import json
import os

import pytest
import requests

from chalicelib.store import kernelci_storage

kernelci_build = pytest.importorskip("kernelci.build")
kernelci_storage_client = pytest.importorskip("kernelci.storage")

BMETA = {"arch": "arm64", "build_environment": "gcc-8", "defconfig": "defconfig", "defconfig_full": "defconfig",
         "job": "mainline", "git_branch": "master", "git_describe": "v5.8-rc1-42-gdeadbeef", "git_commit": "d" * 40,
         "git_url": "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git", "status": "PASS",
         "build_time": 312.5, "kernel_image": "Image", "compiler_version_full": "gcc (Debian 8.3.0-6) 8.3.0",
         "file_server_resource": "mainline/master/v5.8-rc1-42-gdeadbeef/arm64/defconfig/gcc-8"}


@pytest.fixture
def install_dir(tmp_path):
    """What ``kci_build install_kernel`` leaves: bmeta.json and the artifacts (one binary, one in a subdirectory)."""
    (tmp_path / "bmeta.json").write_text(json.dumps(BMETA))
    (tmp_path / "Image").write_bytes(bytes(range(256)) * 64 + b"\r\n--not-a-boundary\r\n")
    (tmp_path / "dtbs").mkdir()
    (tmp_path / "dtbs" / "rk3399-gru-kevin.dtb").write_bytes(os.urandom(4096))
    return tmp_path


def test_upload_files_stores_every_file_byte_for_byte(live_server, kernelci_admin, install_dir):
    files = {"Image": open(install_dir / "Image", "rb"),
             "dtbs/rk3399-gru-kevin.dtb": open(install_dir / "dtbs" / "rk3399-gru-kevin.dtb", "rb")}
    try:
        kernelci_storage_client.upload_files(live_server, kernelci_admin, "mainline/v5.8/arm64", files)
    finally:
        for f in files.values():
            f.close()
    assert kernelci_storage.get("mainline/v5.8/arm64/Image") == (install_dir / "Image").read_bytes()
    assert kernelci_storage.get("mainline/v5.8/arm64/dtbs/rk3399-gru-kevin.dtb") == (
        install_dir / "dtbs" / "rk3399-gru-kevin.dtb").read_bytes()


def test_the_upload_answer_lists_each_file_with_its_size_and_url(live_server, kernelci_admin):
    response = requests.post(f"{live_server}/upload", headers={"Authorization": kernelci_admin},
                             data={"path": "/tree/v1/"}, files={"file0": ("log.txt", b"hello")}, timeout=30)
    assert response.status_code == 200
    assert response.json()["result"] == [{"status": 201, "error": None, "bytes": 5, "filename": "log.txt",
                                          "url": kernelci_storage.url("tree/v1/log.txt")}]


@pytest.mark.parametrize("path,name", [("../../etc", "x"), ("tree", "../../x"), ("", "x")])
def test_an_upload_cannot_climb_out_of_its_path(live_server, kernelci_admin, path, name):
    response = requests.post(f"{live_server}/upload", headers={"Authorization": kernelci_admin},
                             data={"path": path}, files={"file0": (name, b"x")}, timeout=30)
    assert response.status_code == 400


def test_an_upload_without_the_upload_property_is_refused(live_server, kernelci_token):
    with pytest.raises(requests.HTTPError) as refused:
        kernelci_storage_client.upload_files(live_server, kernelci_token(get=True, post=True), "p", {"a": b"x"})
    assert refused.value.response.status_code == 403


def test_push_then_publish_kernel_imports_the_build_with_its_bmeta(live_server, kernelci_admin, install_dir,
                                                                   kernelci, kernelci_import):
    assert kernelci_build.push_kernel(str(install_dir), live_server, kernelci_admin, install_path=str(install_dir))
    # publish_kernel joins "/build" as an absolute path: an API URL with a path still reaches the root.
    assert kernelci_build.publish_kernel(str(install_dir), install_path=str(install_dir),
                                         api=f"{live_server}/some/prefix/", token=kernelci_admin)
    kernelci_import()
    _, builds = kernelci("GET", "/build?job=mainline&kernel=v5.8-rc1-42-gdeadbeef")
    build = builds["result"][0]
    assert (build["status"], build["git_commit"], build["arch"], build["build_time"]) == (
        "PASS", "d" * 40, "arm64", 312.5)
    _, jobs = kernelci("GET", "/job?job=mainline")
    assert jobs["result"][0]["_id"] == build["job_id"]


def test_publish_kernel_with_a_bad_token_raises(live_server, install_dir):
    with pytest.raises(requests.HTTPError) as refused:
        kernelci_build.publish_kernel(str(install_dir), install_path=str(install_dir), api=live_server,
                                      token="not-a-token")
    assert refused.value.response.status_code == 403


def test_datazilla_and_kernelci_routes_both_answer_at_the_root(live_server, kernelci_admin, talos):
    assert requests.get(f"{live_server}/talos/refdata/objectstore/db_size", timeout=30).status_code == 200
    assert requests.get(f"{live_server}/job/", headers={"Authorization": kernelci_admin},
                        timeout=30).json()["code"] == 200
    # an unknown project still gets Datazilla's answer
    assert requests.get(f"{live_server}/nosuch/refdata/objectstore/db_size", timeout=30).status_code == 404


@pytest.mark.parametrize("name", ["job", "builds", "Test", "count", "tokens", "upload", "version"])
def test_a_project_cannot_take_a_kernelci_root_name(aws, capsys, name):
    from chalicelib.cli.main import main
    from chalicelib.store import projects

    with pytest.raises(projects.ReservedName):
        projects.create(name, "k", "s")
    assert main(["--no-local", "project", "create", name]) == 1
    assert "reserved" in json.loads(capsys.readouterr().err)["error"]
