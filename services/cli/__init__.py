"""clubctl: the operator command line of the club platform, and an ISO 8583 terminal simulator."""
