"""Shipyard: one Chalice app serving the API families. Registration only."""

from chalice import Chalice

from chalicelib import boot
from chalicelib.api import head_requests, security_headers, unknown_paths
from chalicelib.api.balrog import routes as balrog_routes
from chalicelib.api.datazilla import routes as datazilla_routes
from chalicelib.api.kernelci import routes as kernelci_routes
from chalicelib.api.openapi import served as openapi_documents
from chalicelib.api.perf import routes as perf_routes
from chalicelib.api.selfserve import routes as selfserve_routes
from chalicelib.api.treeherder import routes as treeherder_routes
from chalicelib.workers import balrog as balrog_workers
from chalicelib.workers import datazilla as datazilla_workers
from chalicelib.workers import kernelci as kernelci_workers
from chalicelib.workers import metrics as metrics_workers
from chalicelib.workers import pushlog as pushlog_workers
from chalicelib.workers import selfserve as selfserve_workers
from chalicelib.workers import treeherder as treeherder_workers

boot.ensure()  # Lambda imports this module first for the API function (see chalicelib/boot.py)

app = Chalice(app_name="shipyard")
app.register_middleware(head_requests.strip_body, "http")
app.register_middleware(security_headers.on_html, "http")
# KernelCI uploads are multipart bodies with binary files: API Gateway must pass them as bytes.
app.api.binary_types.append("multipart/form-data")
app.api.binary_types.append("application/octet-stream")  # PUT /upload/<path>: one file as the raw body

# Datazilla (chalicelib/api/datazilla/routes.py: the blueprints, in order, at the root)
for datazilla_bp in datazilla_routes.BLUEPRINTS:
    app.register_blueprint(datazilla_bp, url_prefix=datazilla_routes.FAMILY.url_prefix(datazilla_bp))
# The perf pages (chalicelib/api/perf/routes.py): routes of the Datazilla family
for perf_bp in perf_routes.BLUEPRINTS:
    app.register_blueprint(perf_bp, url_prefix=perf_routes.FAMILY.url_prefix(perf_bp))
# Balrog (chalicelib/api/balrog/routes.py: the blueprints, in order, each under its mount)
for balrog_bp in balrog_routes.BLUEPRINTS:
    app.register_blueprint(balrog_bp, url_prefix=balrog_routes.FAMILY.url_prefix(balrog_bp))
# KernelCI answers at the host root (publish_kernel posts to "/build" whatever the API URL).
for kernelci_bp in kernelci_routes.BLUEPRINTS:
    app.register_blueprint(kernelci_bp, url_prefix=kernelci_routes.FAMILY.url_prefix(kernelci_bp))
app.register_blueprint(openapi_documents.bp)
app.register_blueprint(balrog_workers.bp)
app.register_blueprint(datazilla_workers.bp)
app.register_blueprint(kernelci_workers.bp)
app.register_blueprint(metrics_workers.bp)
app.register_blueprint(pushlog_workers.bp)
# Treeherder / Perfherder: TreeherderClient(server_url="<base>/treeherder")
# (chalicelib/api/treeherder/routes.py: the blueprints, in order)
for treeherder_bp in treeherder_routes.BLUEPRINTS:
    app.register_blueprint(treeherder_bp, url_prefix=treeherder_routes.FAMILY.url_prefix(treeherder_bp))
app.register_blueprint(treeherder_workers.bp)
# BuildAPI self-serve (chalicelib/api/selfserve/routes.py: the blueprints, in order)
for selfserve_bp in selfserve_routes.BLUEPRINTS:
    app.register_blueprint(selfserve_bp, url_prefix=selfserve_routes.FAMILY.prefix)
app.register_blueprint(selfserve_workers.bp)
# Last: every path no route above serves answers its family's own 404 (not API Gateway's 403).
unknown_paths.register(app)
