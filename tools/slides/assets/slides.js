// Presenting from a keyboard or a clicker: the keys that advance (Space, Page Down, the down and right arrows) first
// scroll a slide taller than the slide area, a page at a time, and move on only once its end is shown; the keys that
// go back scroll up first in the same way. reveal.js asks courseKeyboardCondition before it handles a key, and
// ignores the key when it answers false.
var COURSE_FORWARD_KEYS = ["PageDown", "ArrowDown", "ArrowRight", " "];
var COURSE_BACKWARD_KEYS = ["PageUp", "ArrowUp", "ArrowLeft"];
// A page scroll keeps this much of the previous page in view, so the audience does not lose its place.
var COURSE_PAGE_OVERLAP = 0.15;

function courseKeyboardCondition(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return true; }
    var forward = COURSE_FORWARD_KEYS.includes(event.key) && !(event.key === " " && event.shiftKey);
    var backward = COURSE_BACKWARD_KEYS.includes(event.key) || (event.key === " " && event.shiftKey);
    var slide = Reveal.getCurrentSlide();
    if (!slide || !(forward || backward)) { return true; }
    // While its formulas are typeset again the slide's height is not known yet: hold the key rather than skip content.
    if (slide.dataset.courseTypesetting) {
        event.preventDefault();
        return false;
    }
    var page = slide.clientHeight * (1 - COURSE_PAGE_OVERLAP);
    var rest = forward ? slide.scrollHeight - slide.clientHeight - slide.scrollTop : slide.scrollTop;
    if (rest <= 1) { return true; }
    slide.scrollBy({top: (forward ? 1 : -1) * Math.min(page, rest), behavior: "instant"});
    event.preventDefault();
    return false;
}

// The band at the bottom of the slide area that the navigation arrows and the slide number cover, in the slide's own
// pixels (reveal.js scales the slide area to the window, the controls keep their size): slides.css keeps every slide
// above it.
var COURSE_CONTROLS_GAP = 6;

function courseReserveControlsBand() {
    var reveal = Reveal.getRevealElement();
    var area = reveal.querySelector(".slides").getBoundingClientRect();
    var top = Infinity;
    reveal.querySelectorAll(".controls button, .slide-number").forEach(function (control) {
        var box = control.getBoundingClientRect();
        if (box.width > 0 && box.height > 0) { top = Math.min(top, box.top); }
    });
    var band = top < area.bottom ? (area.bottom - top) / Reveal.getScale() + COURSE_CONTROLS_GAP : 0;
    reveal.style.setProperty("--course-controls-reserve", band.toFixed(1) + "px");
}

// A formula typeset while its slide was hidden has no size: typeset it again once its slide is shown. Only slides
// with formulas are touched (MathJax keeps each formula's source in a <script type="math/...">). Wide blocks are fitted
// when their slide is first shown, as a hidden slide has no layout to measure.
function courseShowSlide(event) {
    var slide = event.currentSlide;
    courseFitWideBlocks(slide);
    if (window.MathJax && MathJax.Hub && slide.querySelector('script[type^="math/"]')) {
        slide.dataset.courseTypesetting = "yes";
        MathJax.Hub.Queue(["Rerender", MathJax.Hub, slide], function () {
            delete slide.dataset.courseTypesetting;
        });
    }
}

Reveal.on("ready", function (event) {
    courseReserveControlsBand();
    courseShowSlide(event);
});
Reveal.on("resize", courseReserveControlsBand);
Reveal.on("slidechanged", courseShowSlide);
