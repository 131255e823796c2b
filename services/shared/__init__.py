"""Code shared by every service: configuration, logging, the gRPC server runtime,
Postgres and Redis access, PAN protection, money allocation."""
