/** XML namespace of our own elements (extra attribution sources). A name, not a page to fetch. */
export const TRIBUTARY_NS = 'urn:tributary:feed:1';
