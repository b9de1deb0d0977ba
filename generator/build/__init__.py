"""Stage 4, how it is made fast and safe: the builder that runs the stages, forked workers, the build
cache and its stamps (incremental, stamp), and atomic writes (write). Imports nothing."""
