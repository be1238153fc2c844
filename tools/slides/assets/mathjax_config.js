// The vendored MathJax ships only the STIX-Web fonts. Its MathML copy of each formula (hidden, for screen readers)
// names the TeX fonts for double-struck, script, calligraphic and fraktur letters (\mathbb, \mathcal, ...), and its
// font probe loads a blank font from about:blank: both would be requests that fail. The copy's letters get the
// matching STIX-Web faces instead, and the probe a font that is never fetched.
(function () {
    var stix = MathJax.Ajax.config.root + "/fonts/HTML-CSS/STIX-Web/woff/STIXMathJax_";
    function face(family, file, weight) {
        return {"font-family": family, "font-weight": weight || "normal", src: "url('" + stix + file + ".woff')"};
    }
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
                     linebreaks: {automatic: false},
                     styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('MathJax_Blank')"}}},
        NativeMML: {styles: {
            "@font-face /*1*/": face("MathJax_Caligraphic-WEB", "Script-Regular"),
            "@font-face /*2*/": face("MathJax_Caligraphic-WEB", "Script-Regular", "bold"),
            "@font-face /*3*/": face("MathJax_AMS-WEB", "DoubleStruck-Regular"),
            "@font-face /*4*/": face("MathJax_Script-WEB", "Script-Regular"),
            "@font-face /*5*/": face("MathJax_Fraktur-WEB", "Fraktur-Regular"),
            "@font-face /*6*/": face("MathJax_Fraktur-WEB", "Fraktur-Bold", "bold")
        }},
        displayAlign: "center",
        messageStyle: "none",
        showMathMenu: false
    });
})();
