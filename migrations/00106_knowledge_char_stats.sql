-- +goose Up
-- How many items use each Han character, in their heading or text: the
-- document frequency of a single character, which chunk_word_stats does not
-- hold (tsvectors keep words and bigrams). Okapi scoring of the question's
-- characters weighs them by it. Refreshed by ingest with chunk_word_stats.
CREATE MATERIALIZED VIEW chunk_char_stats AS
    SELECT ch, count(DISTINCT id) AS ndoc
    FROM chunks, unnest(string_to_array(heading || text, NULL)) AS ch
    WHERE ascii(ch) BETWEEN 19968 AND 40959 -- U+4E00..U+9FFF
    GROUP BY ch;
CREATE UNIQUE INDEX chunk_char_stats_ch_idx ON chunk_char_stats (ch);

-- +goose Down
DROP MATERIALIZED VIEW chunk_char_stats;
