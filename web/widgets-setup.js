// Loaded (deferred) after MathJax and before require.js / embed-amd.js on pages with widgets.
// Copied to _static/widgets/ by `make vendor`; not under a source _static/ folder because
// Jupyter Book 1 would inject it into every page.

// 1. Fonts. embed-amd.js resolves its icon fonts against the URI require.js gives its inline
//    modules ("@jupyter-widgets/base", "@jupyter-widgets/html-manager/dist/..."), which is
//    relative to the page. Map that prefix to this folder, where `make vendor` put the fonts.
var segcourseWidgetsRoot = new URL(
  (document.documentElement.dataset.content_root || "./") + "_static/widgets/", document.baseURI).href;
window.__jupyter_widgets_assets_path__ = segcourseWidgetsRoot + "@jupyter-widgets/";
var require = { paths: { "@jupyter-widgets": segcourseWidgetsRoot + "@jupyter-widgets" } };

// 2. Math in widget labels. ipywidgets typesets labels with MathJax 2's `MathJax.Hub.Queue`;
//    the book serves MathJax 3, which has no Hub. Forward to MathJax 3's typesetPromise.
if (window.MathJax && !window.MathJax.Hub) {
  window.MathJax.Hub = {
    Queue: function (job) {
      var element = job && job[2];
      if (element && window.MathJax.typesetPromise) { window.MathJax.typesetPromise([element]); }
    },
  };
}
