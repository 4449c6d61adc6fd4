/*
 * ClassmateAnalysisPlugin is the analysis plugin scripts/elasticsearch.sh
 * builds for the test Elasticsearch. The only runnable Elasticsearch on Maven
 * Central is the integ-test-zip distribution, which ships without the
 * analysis-common module and without the analysis-nori plugin (Maven Central
 * publishes no analysis-nori plugin zip for 8.x). This plugin supplies, under
 * the names those two normally register, exactly the components classmate's
 * index template uses, built from Lucene's own classes:
 *
 *   tokenizers     nori_tokenizer (decompound_mode), keyword, whitespace
 *   token filters  nori_part_of_speech, edge_ngram and ngram (min_gram,
 *                  max_gram, preserve_original)
 *
 * Lucene's Korean analyzer (lucene-analysis-nori, the jar inside the real
 * analysis-nori plugin) comes from Maven Central. A production cluster uses
 * the default distribution and the official analysis-nori plugin instead, and
 * must not install this one: the names would collide.
 */
package classmate.es;

import java.util.Locale;
import java.util.Map;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.ko.KoreanPartOfSpeechStopFilter;
import org.apache.lucene.analysis.ko.KoreanTokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public class ClassmateAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "nori_tokenizer", (index, env, name, s) -> {
                KoreanTokenizer.DecompoundMode mode = KoreanTokenizer.DecompoundMode.valueOf(
                    s.get("decompound_mode", "discard").toUpperCase(Locale.ROOT));
                boolean discardPunctuation = s.getAsBoolean("discard_punctuation", true);
                return TokenizerFactory.newFactory(name, () -> new KoreanTokenizer(
                    TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, null, mode, false, discardPunctuation));
            },
            "keyword", (index, env, name, s) -> TokenizerFactory.newFactory(name, KeywordTokenizer::new),
            "whitespace", (index, env, name, s) -> TokenizerFactory.newFactory(name, WhitespaceTokenizer::new));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "nori_part_of_speech", (index, env, name, s) -> filter(name, KoreanPartOfSpeechStopFilter::new),
            "edge_ngram", (index, env, name, s) -> {
                int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                boolean keep = s.getAsBoolean("preserve_original", false);
                return filter(name, in -> new EdgeNGramTokenFilter(in, min, max, keep));
            },
            "ngram", (index, env, name, s) -> {
                int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                boolean keep = s.getAsBoolean("preserve_original", false);
                return filter(name, in -> new NGramTokenFilter(in, min, max, keep));
            });
    }

    /** Wrap is a token filter constructor. */
    private interface Wrap {
        TokenStream wrap(TokenStream in);
    }

    private static TokenFilterFactory filter(String name, Wrap w) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return w.wrap(in);
            }
        };
    }
}
