"""The only code that talks to AWS: PynamoDB models, the S3 blob store, queues."""
