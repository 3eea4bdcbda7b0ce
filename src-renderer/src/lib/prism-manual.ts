// Imported before prismjs: tells it never to colour the page's own <code> elements on load
// (the inspector asks for tokens and renders them itself).
const scope = globalThis as { Prism?: { manual?: boolean } };
scope.Prism = { ...scope.Prism, manual: true };
