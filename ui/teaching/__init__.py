"""Page-specific teaching content and caches: grids, samples, networks, snippets, traces."""
