"""The xcnet wire layer: canonical msgpack, signed envelopes, errors. Sans-I/O."""
