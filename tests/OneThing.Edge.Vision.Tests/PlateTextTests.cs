using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Vision.Tests;

/// <summary>The plate format choosing among the reader's candidates, and the layout decision (no model).</summary>
public sealed class PlateTextTests
{
    [Fact]
    public void A_province_misread_as_a_latin_letter_becomes_the_most_probable_province()
    {
        var read = Glyphs("WAA1R81", (0, '皖', 0.3f), (0, '鄂', 0.1f));
        Assert.Equal("皖AA1R81", PlateText.Join(PlateText.Constrain(read)));
    }

    [Fact]
    public void A_digit_where_the_issuing_authority_letter_goes_becomes_its_best_letter_with_that_probability()
    {
        var read = Glyphs("京8D1234", (1, 'B', 0.2f), (1, 'D', 0.1f));
        var constrained = PlateText.Constrain(read);
        Assert.Equal("京BD1234", PlateText.Join(constrained));
        Assert.Equal(0.2f, constrained[1].Probability);
    }

    [Fact]
    public void An_ordinary_serial_keeps_its_two_surest_letters_and_the_weakest_third_becomes_a_digit()
    {
        var read = Glyphs("皖AMZ21D", (6, '0', 0.4f), (2, '0', 0.01f));
        read[6] = read[6] with { Probability = 0.55f };
        Assert.Equal("皖AMZ210", PlateText.Join(PlateText.Constrain(read)));
    }

    [Fact]
    public void New_energy_digit_positions_take_a_digit()
    {
        var read = Glyphs("沪AF7S017", (4, '5', 0.4f));
        Assert.Equal("沪AF75017", PlateText.Join(PlateText.Constrain(read)));
    }

    [Fact]
    public void A_reading_of_another_length_or_without_candidates_is_left_alone()
    {
        Assert.Equal("8D123", PlateText.Join(PlateText.Constrain(Glyphs("8D123", (0, '京', 0.9f)))));
        var noCandidates = "W8D1234".Select(c => new PlateGlyph(c, 1)).ToList();
        Assert.Equal("W8D1234", PlateText.Join(PlateText.Constrain(noCandidates)));
    }

    [Theory]
    [InlineData(440, 220, false, null, true)]     // 2 : 1, whatever the detector said
    [InlineData(440, 220, true, "blue", false)]   // but blue plates (small vehicles) are one line
    [InlineData(440, 140, true, "yellow", false)] // 3.1 : 1 is one line even if the detector said double
    [InlineData(270, 100, true, null, true)]      // 2.7 : 1: the detector decides
    [InlineData(270, 100, false, "yellow", true)] // or the yellow of trucks and buses
    [InlineData(270, 100, false, "blue", false)]
    [InlineData(480, 140, false, "green", false)]
    public void Layout_comes_from_shape_then_detector_class_or_colour(int width, int height, bool detectedDouble, string? color, bool expected) =>
        Assert.Equal(expected, PlateLayout.IsDoubleLayer(width, height, detectedDouble, color));

    [Fact]
    public void Upper_line_is_the_middle_of_the_top_rows_and_the_lower_line_overlaps_it()
    {
        var upper = PlateLayout.UpperLine(220, 110);
        Assert.Equal((44, 0, 132, 45), (upper.X, upper.Y, upper.Width, upper.Height));
        Assert.Equal(36, PlateLayout.LowerLineTop(110));
    }

    [Fact]
    public void The_upper_line_is_a_province_and_a_letter_even_when_the_province_reads_as_another_character()
    {
        var province = new float[PlateText.Symbols.Length];
        province[PlateText.Symbols.IndexOf('苏', StringComparison.Ordinal)] = 0.2f;
        province[PlateText.Symbols.IndexOf('京', StringComparison.Ordinal)] = 0.1f;
        var letter = new float[PlateText.Symbols.Length];
        letter[PlateText.Symbols.IndexOf('A', StringComparison.Ordinal)] = 0.9f;
        PlateGlyph[] raw = [new('[', 0.3f), new('防', 0.6f, province), new('A', 0.9f, letter)];
        var upper = PlateText.UpperLine(raw);
        Assert.Equal("苏A", PlateText.Join(upper));
        Assert.Equal(0.2f, upper[0].Probability);
        Assert.Equal("A", PlateText.Join(PlateText.UpperLine([new('A', 0.9f, letter)]))); // one character: only cleaned
    }

    [Fact]
    public void The_upper_line_windows_start_with_the_default_and_stay_inside_the_plate()
    {
        var windows = PlateLayout.UpperLineWindows(73, 42).ToList();
        Assert.Equal(PlateLayout.UpperLine(73, 42), windows[0]);
        Assert.Equal(windows.Count, windows.Distinct().Count());
        Assert.True(windows.Count >= 10);
        Assert.All(windows, w => Assert.True(w.Y >= 0 && w.Height >= 1 && w.Bottom <= 42 && w.X == windows[0].X && w.Width == windows[0].Width));
    }

    [Fact]
    public void Upper_line_readings_vote_by_mean_probability_so_one_sure_wrong_province_loses_to_two_agreeing()
    {
        IReadOnlyList<PlateGlyph> Upper(char province, float p, char letter) =>
            PlateText.UpperLine([new(province, p, Candidates((province, p))), new(letter, 0.9f, Candidates((letter, 0.9f)))]);
        var vote = PlateText.UpperLineVote([Upper('京', 0.9f, 'A'), Upper('苏', 0.6f, 'A'), Upper('苏', 0.6f, 'A')]);
        Assert.Equal("苏A", PlateText.Join(vote!));
        Assert.Equal(0.4f, vote![0].Probability, 3);
        Assert.Null(PlateText.UpperLineVote([PlateText.UpperLine([new('A', 0.9f)])]));
        Assert.True(PlateText.ReadsProvinceAndLetter([new('·', 0.5f), new('苏', 0.6f), new('A', 0.9f)]));
        Assert.False(PlateText.ReadsProvinceAndLetter([new('防', 0.6f), new('A', 0.9f)])); // the province only a candidate
    }

    [Fact]
    public void A_lower_line_quadrilateral_grows_up_by_three_quarters_of_its_height()
    {
        PointF[] lower = [new(10, 50), new(110, 52), new(110, 72), new(10, 70)];
        var whole = PlateLayout.WithUpperLine(lower);
        Assert.Equal([new(10, 35), new(110, 37), lower[2], lower[3]], whole);
    }

    [Fact]
    public void Ctc_runs_span_the_steps_of_each_kept_character()
    {
        // classes: 0 blank, 1 A, 2 B; argmax per step A A blank A B B
        int[] argmax = [1, 1, 0, 1, 2, 2];
        var probs = new float[argmax.Length * 3];
        for (var t = 0; t < argmax.Length; t++)
        {
            probs[t * 3 + argmax[t]] = 1;
        }
        var runs = CtcDecoder.Runs(probs, 3);
        Assert.Equal([(1, 0, 1), (1, 3, 3), (2, 4, 5)], runs.Select(r => (r.Class, r.FirstStep, r.LastStep)));
    }

    private static float[] Candidates(params (char Char, float Probability)[] symbols)
    {
        var c = new float[PlateText.Symbols.Length];
        foreach (var (ch, p) in symbols)
        {
            c[PlateText.Symbols.IndexOf(ch, StringComparison.Ordinal)] = p;
        }
        return c;
    }

    // Each character read with probability 0.9; the listed candidates added at their positions.
    private static List<PlateGlyph> Glyphs(string text, params (int Position, char Char, float Probability)[] candidates)
    {
        var glyphs = new List<PlateGlyph>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = new float[PlateText.Symbols.Length];
            c[PlateText.Symbols.IndexOf(text[i], StringComparison.Ordinal)] = 0.9f;
            foreach (var (position, ch, p) in candidates.Where(x => x.Position == i))
            {
                c[PlateText.Symbols.IndexOf(ch, StringComparison.Ordinal)] = p;
            }
            glyphs.Add(new PlateGlyph(text[i], 0.9f, c));
        }
        return glyphs;
    }
}
