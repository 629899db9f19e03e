"""Registry service: organisations, people, households, service teams (登记服务)."""
