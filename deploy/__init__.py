"""Building the deployment artifacts (`make package`)."""
