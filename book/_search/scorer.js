// Search ranking of the book: Sphinx's defaults, plus one rule. The lessons come before the
// API reference when both match a word (searching 梯度 should open 3-5, not ch3lib.gradients).
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    return docname.startsWith("appendix/api") ? score - 10 : score;
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
