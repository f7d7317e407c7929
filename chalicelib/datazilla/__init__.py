"""Datazilla domain: blobs, perftest runs, raw data views."""
