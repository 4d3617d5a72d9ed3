// Search ranking of the book: Sphinx's defaults, plus one rule. The lessons come before the
// reference pages (API, glossary, errata) when both match a word (searching 梯度 should open
// 3-5, not ch3lib.gradients or the glossary).
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    return /^appendix\/(api|glossary|errata)/.test(docname) ? score - 30 : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
