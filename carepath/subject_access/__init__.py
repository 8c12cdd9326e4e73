"""Subject access requests: everything held about one person, as a zip of JSON and HTML."""
