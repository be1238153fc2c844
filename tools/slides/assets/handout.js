window.addEventListener("load", function () {
    document.fonts.ready.then(function () {
        courseFitWideBlocks(document);
        document.documentElement.setAttribute("data-blocks-fitted", "");
    });
});
