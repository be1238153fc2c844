// Measuring a deck in headless Chromium (tools/slides/layout.py evaluates this file, then calls its functions).
// Every measurement is in the slide's own coordinates: reveal.js scales the whole slide area to the window.
window.courseMeasure = (() => {
    // Descendants of these are drawn as one piece (glyph boxes, SVG shapes, a code block's tokens), and MathJax's
    // assistive copy of a formula is hidden on purpose: the piece itself is what is measured.
    const WHOLE = "pre, svg, img, canvas, video, .MathJax, .MathJax_Display, .MathJax_SVG";
    const SKIP = ".MJX_Assistive_MathML, .MathJax_Preview, aside.notes";
    // The blocks of a Persian cell whose alignment a reader sees.
    const PERSIAN_BLOCKS = ':is([dir="rtl"], [lang="fa"]) :is(p, li, h1, h2, h3, h4, h5, h6, blockquote)';
    const clipped = (value) => value === "hidden" || value === "clip";
    const scrolls = (value) => value === "auto" || value === "scroll";
    const describe = (element) => {
        const name = element.tagName.toLowerCase();
        const classes = [...element.classList].filter((c) => !c.startsWith("jp-mod")).slice(0, 2).join(".");
        const text = (element.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
        return (classes ? `${name}.${classes}` : name) + (text ? ` "${text}"` : "");
    };
    const typeset = () => new Promise((done) => window.MathJax && MathJax.Hub ? MathJax.Hub.Queue(done) : done());
    // The part of box a inside box b (null when they do not overlap by more than a pixel).
    const overlap = (a, b) => {
        const part = {left: Math.max(a.left, b.left), right: Math.min(a.right, b.right),
                      top: Math.max(a.top, b.top), bottom: Math.min(a.bottom, b.bottom)};
        return part.right - part.left > 1 && part.bottom - part.top > 1 ? part : null;
    };

    // A Persian block reads right to left and starts at the right edge (a short last line sits at the right).
    function misaligned(section) {
        return [...section.querySelectorAll(PERSIAN_BLOCKS)].flatMap((block) => {
            const style = getComputedStyle(block);
            const right = style.textAlign === "right" || style.textAlign === "-webkit-right"
                || (style.textAlign === "start" && style.direction === "rtl");
            return style.direction === "rtl" && right ? []
                : [`${describe(block)}: direction ${style.direction}, text-align ${style.textAlign}`];
        });
    }

    // The text on the current slide that lies under a visible navigation arrow or the slide number: every line box
    // of every text node, where the slide (which scrolls) shows it.
    function underControls() {
        const section = Reveal.getCurrentSlide();
        const controls = [...document.querySelectorAll(".reveal .controls button, .reveal .slide-number")]
            .filter((control) => {
                const style = getComputedStyle(control);
                return control.offsetParent !== null && style.visibility === "visible" && Number(style.opacity) > 0;
            })
            .map((control) => [control.getBoundingClientRect(), control.className.split(" ")[0]]);
        const shown = section.getBoundingClientRect();
        const found = new Set();
        const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim() || node.parentElement.closest(SKIP)) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const line of range.getClientRects()) {
                const visible = overlap(line, shown);
                if (!visible) continue;
                for (const [box, name] of controls) {
                    if (overlap(visible, box)) found.add(`"${node.textContent.trim().slice(0, 30)}" under ${name}`);
                }
            }
        }
        return [...found];
    }

    // Where the deck stands: which slide is shown, and whether its end is in view.
    function position() {
        const section = Reveal.getCurrentSlide();
        const {h, v} = Reveal.getIndices();
        const end = section.scrollTop + section.clientHeight >= section.scrollHeight - 2;
        return {h, v, end, under_controls: underControls()};
    }

    function measure(section, tolerance) {
        const style = getComputedStyle(section);
        const box = section.getBoundingClientRect();
        const scale = section.offsetHeight > 0 ? box.height / section.offsetHeight : 1;
        const wide = [], unreachable = [];
        // The slide itself must lie in the window; if it does not scroll, so must all of its content.
        const bottom = scrolls(style.overflowY) ? box.bottom : box.top + section.scrollHeight * scale;
        const right = scrolls(style.overflowX) ? box.right : box.left + section.scrollWidth * scale;
        if (box.top < -tolerance || bottom > innerHeight + tolerance
                || box.left < -tolerance || right > innerWidth + tolerance) {
            unreachable.push(`the slide (${Math.round(section.scrollWidth)}x${Math.round(section.scrollHeight)}` +
                ` px) runs out of the ${innerWidth}x${innerHeight} window and does not scroll`);
        }
        if (section.scrollWidth > section.clientWidth + tolerance) {
            wide.push(`the slide ${section.scrollWidth}>${section.clientWidth}`);
        }
        const elements = [...section.querySelectorAll("*")].filter(
            (element) => !element.closest(SKIP) && !element.parentElement.closest(WHOLE));
        for (const element of elements) {
            const own = getComputedStyle(element);
            if (own.display === "none" || own.display === "contents") continue;
            const name = describe(element);
            const excessX = element.scrollWidth - element.clientWidth;
            const excessY = element.scrollHeight - element.clientHeight;
            if (element.clientWidth > 0 && excessX > tolerance) {
                if (clipped(own.overflowX)) unreachable.push(`${name}: ${excessX} px cut off at its side`);
                else if (scrolls(own.overflowX)) wide.push(`${name} ${element.scrollWidth}>${element.clientWidth}`);
            }
            if (element.clientHeight > 0 && excessY > tolerance && clipped(own.overflowY)) {
                unreachable.push(`${name}: ${excessY} px cut off at its bottom`);
            }
            // Content before the start of the box that scrolls it (above it, or on its starting side) can never
            // be scrolled to.
            const rect = element.getBoundingClientRect();
            if (rect.width === 0 && rect.height === 0) continue;
            let scroller = element.parentElement;
            while (scroller !== section && getComputedStyle(scroller).overflowX === "visible"
                    && getComputedStyle(scroller).overflowY === "visible") {
                scroller = scroller.parentElement;
            }
            const outer = scroller.getBoundingClientRect();
            const slack = tolerance * scale;
            const beforeStart = getComputedStyle(scroller).direction === "rtl"
                ? rect.right > outer.right + slack : rect.left < outer.left - slack;
            if (rect.top < outer.top - slack || beforeStart) {
                unreachable.push(`${name}: before the start of ${describe(scroller).split(" ")[0]}`);
            }
        }
        // The first words as the notebook has them (innerText would be upper-cased like the headings), without
        // speaker notes or formulas.
        const copy = section.cloneNode(true);
        copy.querySelectorAll(`aside.notes, script, style, ${SKIP}, .MathJax, .MathJax_Display`)
            .forEach((node) => node.remove());
        const words = copy.textContent.trim().split(/\s+/).slice(0, 8).join(" ");
        return {
            width: section.scrollWidth, height: section.scrollHeight, shown_height: section.clientHeight,
            wide, unreachable, misaligned: misaligned(section), under_controls: underControls(),
            first_words: words.length > 60 ? words.slice(0, 59) + "\u2026" : words,
        };
    }

    // Every slide, horizontal and vertical, shown in turn from its top, once MathJax and the fonts are ready.
    async function deck(tolerance) {
        // MathJax signals "End" once its first typesetting pass is done (at once if it already is).
        await new Promise((done) => window.MathJax && MathJax.Hub
            ? MathJax.Hub.Register.StartupHook("End", done) : done());
        await document.fonts.ready;
        Reveal.configure({transition: "none", backgroundTransition: "none"});
        const config = Reveal.getConfig();
        const slides = [];
        Reveal.getHorizontalSlides().forEach((stack, h) => {
            const verticals = stack.classList.contains("stack")
                ? [...stack.querySelectorAll(":scope > section")] : [stack];
            verticals.forEach((section, v) => slides.push({h, v, section}));
        });
        const measured = [];
        for (const [number, {h, v, section}] of slides.entries()) {
            Reveal.slide(h, v);
            section.scrollTop = 0;
            await typeset();
            measured.push({number: number + 1, h, v, ...measure(section, tolerance)});
        }
        return {slide_width: config.width, slide_height: config.height, slides: measured};
    }

    return {deck, position};
})();
