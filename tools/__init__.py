"""Build tooling of the book: the build driver, the preview server, the benchmark."""
