// Code that scrolls sideways must be reachable by keyboard, so the theme gives
// every scrollable code block tabindex="0" -- but only when the page loads or
// is resized. Solutions load collapsed, so their code is measured again here
// whenever a solution is opened.
document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("main-content");
  if (!main) return;
  const measure = (root) =>
    root.querySelectorAll("pre, .cell_output > .output").forEach((element) => {
      const scrolls =
        element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
      element.tabIndex = scrolls ? 0 : -1;
    });
  new MutationObserver((mutations) => {
    for (const { target } of mutations) {
      if (target.classList.contains("toggle") && !target.classList.contains("toggle-hidden")) {
        requestAnimationFrame(() => measure(target));
      }
    }
  }).observe(main, { subtree: true, attributes: true, attributeFilter: ["class"] });
});
