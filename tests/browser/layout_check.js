// The phone layout check of test_phone_layout.py, run in the page: how much wider than the window
// the document is (and what sticks out), and which visible tap targets are under `min` px.
(min) => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "")
      .trim().replace(/\s+/g, " ");
    return text ? `${s} "${text.slice(0, 40)}"` : s;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0) return false;
    return el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  // WCAG 2.5.8's inline exception: a link in a sentence takes the height of the line.
  const inRunningText = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    if (!block) return false;
    let other = block.innerText || "";
    block.querySelectorAll("a, button, label, input, select").forEach((t) => {
      other = other.replace(t.innerText || "", "");
    });
    return other.replace(/[^\p{L}\p{N}]/gu, "").length >= 12;
  };
  const result = {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide: [], small: []
  };
  if (result.scrollWidth > result.innerWidth) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > result.innerWidth + 0.5 && !el.closest(".skip")) {
        result.wide.push(`${describe(el)} reaches ${Math.round(r.right)} px`);
      }
    }
  }
  for (const el of document.body.querySelectorAll("a[href], button, input:not([type=hidden]), select, summary, label")) {
    if (el.tagName === "LABEL" && !(el.control && ["checkbox", "radio"].includes(el.control.type))) continue;
    if (!visible(el) || el.closest(".skip") || inRunningText(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < min || r.height < min) {
      result.small.push(`${describe(el)} is ${r.width.toFixed(1)} × ${r.height.toFixed(1)} px`);
    }
  }
  return result;
}
