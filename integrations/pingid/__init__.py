"""The PingID API (version 4): signed JWS requests and responses over DRF."""
