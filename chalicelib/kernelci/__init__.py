"""KernelCI backend API, domain side: documents, queries, tokens, regressions. No boto3 here."""
