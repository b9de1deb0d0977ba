"""`briefing serve`: build, serve the output, watch the sources, rebuild what changed, reload open pages
(server: the command; rebuild: one rebuild at a time; watch: the sources; handlers, hosts, overlay: the
web side). Imports nothing.

Two traps of the livereload package are avoided by design: its own file watcher (which drops a
change made within 3 s of the last reload and reports one changed file per poll) is not used.
Sources are watched with watchfiles, every burst of changes becomes at most one rebuild (one
running, one queued), and open pages are told to reload only after a rebuild has committed. Nor is
its livereload.js: a reload sent while a page was still loading never reached it (handlers.RELOAD_JS)."""
