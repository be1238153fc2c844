// A style-only JupyterLab extension, with no build step: JupyterLab loads this script, calls init() on the container
// it registers, then get("./style") and runs the factory that returns, which links persian.css (next to this file).
(function () {
    var stylesheet = new URL("persian.css", document.currentScript.src).href;
    window._JUPYTERLAB = window._JUPYTERLAB || {};
    window._JUPYTERLAB["convnets-course-lab"] = {
        init: function () {},
        get: function (module) {
            if (module !== "./style") {
                return Promise.reject(new Error("convnets-course-lab has no module " + module));
            }
            return Promise.resolve(function () {
                var link = document.createElement("link");
                link.rel = "stylesheet";
                link.href = stylesheet;
                document.head.appendChild(link);
                return {};
            });
        }
    };
})();
