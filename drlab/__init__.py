"""drlab — what users touch: labs, transports, fixtures, strategies and the command line."""
