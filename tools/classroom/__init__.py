"""Running the course for a class on JupyterHub: the shared data mirror (:mod:`.mirror`), practice copies of the
notebooks (:mod:`.practice`), nbgitpuller links (:mod:`.links`) and a real hub on 127.0.0.1 that learners pull
the course into and run a notebook on (:mod:`.hub`, :mod:`.kernel_client`, :mod:`.snapshot`)."""
