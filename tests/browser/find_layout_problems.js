// What is wrong on the page, as text: one line per problem (empty: nothing). Run by test_layout.py.
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in ${root.clientWidth} px`);
  }
  const scrollAreas = '.jmap-scroll, .table-responsive, .dash-scroll, pre, textarea';
  const skip = '.visually-hidden, .visually-hidden-focusable, .cell-under, svg, .js-plotly-plot, [hidden], script, style';
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : ''} "${text.slice(0, 60)}"`;
  };
  const canvas = document.createElement('canvas').getContext('2d');
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(skip) || el.matches(scrollAreas)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue;
    if (el.tagName === 'SELECT') {
      const option = el.options[el.selectedIndex];
      // A list box as wide as its column cannot be wider (long step names on a phone); each option shows on hover.
      const column = el.parentElement, columnStyle = getComputedStyle(column);
      const columnWidth = column.clientWidth - parseFloat(columnStyle.paddingLeft) - parseFloat(columnStyle.paddingRight);
      if (!option || (el.multiple && el.offsetWidth >= columnWidth - 2)) continue;
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (canvas.measureText(option.text).width > room + 1) problems.push(`drop-down cuts its text: ${describe(el)} "${option.text}"`);
      continue;
    }
    const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    const tight = el.matches('.badge, .btn, .nav-link, .page-title, .page-pretitle *, th, label');
    if ((hides || tight) && el.scrollWidth > el.clientWidth + 1 && (el.innerText || '').trim()) {
      problems.push(`text clipped: ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return [...new Set(problems)];
}
