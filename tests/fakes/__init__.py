"""Stand-ins for outside services that run the real client code without the network."""
