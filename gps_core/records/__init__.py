"""Record-level data: the contracts of a client's stays (:mod:`.encounters`), operations (:mod:`.surgeries`) and
survey answers (:mod:`.surveys`), how events are attributed to units (:mod:`.attribution`), the indicators
derived from them with their drill-down trace (:mod:`.derive`), and the finance file of a payout rule
(:mod:`.finance`)."""
