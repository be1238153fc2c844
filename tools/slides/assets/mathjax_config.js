MathJax.Hub.Config({
    tex2jax: {
        inlineMath: [["$", "$"], ["\\(", "\\)"]],
        displayMath: [["$$", "$$"], ["\\[", "\\]"]],
        processEscapes: true,
        processEnvironments: true
    },
    TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
    // Only the STIX-Web web fonts ship with the vendored MathJax; never fall back to fonts it would fetch.
    // A formula stays on one line: broken over several it is hard to read (a wide one scrolls instead).
    "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
                 linebreaks: {automatic: false}},
    displayAlign: "center",
    messageStyle: "none",
    showMathMenu: false
});
