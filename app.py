"""Shipyard: one Chalice app serving the API families. Registration only."""

from chalice import Chalice

from chalicelib import boot
from chalicelib.api import head_requests, security_headers, unknown_paths
from chalicelib.api.balrog import csrf as balrog_csrf
from chalicelib.api.balrog import emergency_shutoff as balrog_emergency_shutoff
from chalicelib.api.balrog import history as balrog_history
from chalicelib.api.balrog import oauth as balrog_oauth
from chalicelib.api.balrog import releases as balrog_releases
from chalicelib.api.balrog import required_signoffs as balrog_required_signoffs
from chalicelib.api.balrog import rules as balrog_rules
from chalicelib.api.balrog import scheduled_changes as balrog_scheduled_changes
from chalicelib.api.balrog import update as balrog_update
from chalicelib.api.balrog import users as balrog_users
from chalicelib.api.datazilla import ingest as datazilla_ingest
from chalicelib.api.datazilla import metrics as datazilla_metrics
from chalicelib.api.datazilla import objectstore as datazilla_objectstore
from chalicelib.api.datazilla import perftest as datazilla_perftest
from chalicelib.api.datazilla import pushlog as datazilla_pushlog
from chalicelib.api.datazilla import testdata as datazilla_testdata
from chalicelib.api.kernelci import resources as kernelci_resources
from chalicelib.api.kernelci import tokens as kernelci_tokens
from chalicelib.api.kernelci import upload as kernelci_upload
from chalicelib.api.kernelci import version as kernelci_version
from chalicelib.api.openapi import served as openapi_documents
from chalicelib.api.perf import alerts as perf_alerts
from chalicelib.api.perf import graphs as perf_graphs
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

app.register_blueprint(datazilla_ingest.bp)
app.register_blueprint(datazilla_objectstore.bp)
app.register_blueprint(datazilla_testdata.bp)
app.register_blueprint(datazilla_pushlog.bp)
app.register_blueprint(datazilla_perftest.bp)
app.register_blueprint(datazilla_metrics.bp)
app.register_blueprint(perf_alerts.bp)
app.register_blueprint(perf_graphs.bp)
app.register_blueprint(balrog_rules.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_users.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_releases.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_csrf.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_history.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_scheduled_changes.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_required_signoffs.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_emergency_shutoff.bp, url_prefix="/balrog/api")
app.register_blueprint(balrog_oauth.bp, url_prefix="/balrog")
app.register_blueprint(balrog_update.bp, url_prefix="/balrog/update")
app.register_blueprint(balrog_update.json_bp, url_prefix="/balrog/json")
# KernelCI answers at the host root (publish_kernel posts to "/build" whatever the API URL).
app.register_blueprint(kernelci_resources.bp)
app.register_blueprint(kernelci_tokens.bp)
app.register_blueprint(kernelci_upload.bp)
app.register_blueprint(kernelci_version.bp)
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
