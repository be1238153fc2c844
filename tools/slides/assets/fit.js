// Fit each code block, text output and table inside `root` to the width of its box: a wider one gets a smaller font
// until it fits (a table of model.summary() wrapped over lines is unreadable). A text block that would need less than
// MIN_SHRINK of its font wraps instead; a table shrinks no further and scrolls sideways. Blocks not laid out (on a
// hidden slide) are left for when they are shown.
function courseFitWideBlocks(root) {
    var MIN_SHRINK = 0.55;
    var blocks = ".jp-InputArea-editor pre, .jp-OutputArea-output pre, .jp-RenderedMarkdown table";
    root.querySelectorAll(blocks).forEach(function (block) {
        var box = block.parentElement.clientWidth;
        if (box === 0 || block.scrollWidth <= box + 1) { return; }
        var ratio = box / block.scrollWidth;
        var isText = block.tagName === "PRE";
        if (isText && ratio < MIN_SHRINK) { block.classList.add("course-wrapped"); return; }
        var size = parseFloat(getComputedStyle(block).fontSize);
        block.style.fontSize = (size * Math.max(ratio, MIN_SHRINK) * 0.98).toFixed(2) + "px";
    });
}
