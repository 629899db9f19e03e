"""Gateway (网关): the suite's HTTP front door. One route per use case of every service's table,
an OpenAPI 3.1 document generated from the same tables, RPC to the services through a bounded
pool of standalone proxies, errors in the suite's JSON shape. It owns no data."""
