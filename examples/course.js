// Fits the iframe to the figure: embed.html posts its height.
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'attention-explorer:height') return;
  for (const frame of document.querySelectorAll('iframe')) {
    if (frame.contentWindow === event.source) frame.style.height = data.height + 'px';
  }
});
