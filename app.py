"""Shipyard: one Chalice app serving the API families. Registration only."""

from chalice import Chalice

from chalicelib import observability
from chalicelib.api.datazilla import ingest as datazilla_ingest
from chalicelib.api.datazilla import objectstore as datazilla_objectstore
from chalicelib.api.datazilla import testdata as datazilla_testdata
from chalicelib.workers import datazilla as datazilla_workers

observability.configure()

app = Chalice(app_name="shipyard")

app.register_blueprint(datazilla_ingest.bp)
app.register_blueprint(datazilla_objectstore.bp)
app.register_blueprint(datazilla_testdata.bp)
app.register_blueprint(datazilla_workers.bp)
