"""The local stack: moto as the embedded AWS, the app, and the event pump.

Never imported by the Lambda functions.
"""
