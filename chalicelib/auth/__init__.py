"""Authentication schemes of the API families."""
