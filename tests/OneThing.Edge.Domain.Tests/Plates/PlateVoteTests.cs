using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Plates;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Plates;

public class PlateVoteTests
{
    private static PlateReading Read(string text, float confidence, bool valid = true) =>
        new(text, confidence, valid, new Box(0, 0, 100, 30), [], 0.9f, false);

    [Fact]
    public void A_character_goes_to_the_frame_sure_of_it_not_to_two_frames_unsure_of_it()
    {
        // Two frames read 6 with 0.4 (sure of the rest), one reads G with 0.95: per reading, 6 would win 1.8 to 0.7.
        float[] unsure = [0.99f, 0.99f, 0.99f, 0.4f, 0.99f, 0.99f, 0.99f];
        var sixes = Read("皖A56895", 0.9f) with { CharConfidences = unsure };
        var g = Read("皖A5G895", 0.7f) with { CharConfidences = [0.6f, 0.6f, 0.6f, 0.95f, 0.6f, 0.6f, 0.6f] };
        var verdict = PlateVote.Decide([sixes, sixes, g]);
        Assert.Equal("皖A5G895", verdict.Text);
        Assert.Equal(3, verdict.ReadingsUsed);
    }

    [Fact]
    public void Readings_without_character_confidences_vote_with_their_mean_as_before()
    {
        var partial = Read("京A12346", 0.9f) with { CharConfidences = [0.9f, 0.9f] }; // not one per character: ignored
        Assert.Equal("京A12346", PlateVote.Decide([partial, Read("京A12345", 0.6f)]).Text);
    }

    [Fact]
    public void Each_position_goes_to_its_majority()
    {
        // Every reading has one error, each at a different position; the vote recovers the plate.
        var verdict = PlateVote.Decide([Read("京A12845", 0.8f), Read("京A1Z345", 0.8f), Read("京412345", 0.8f), Read("京A12345", 0.8f)]);

        Assert.Equal("京A12345", verdict.Text);
        Assert.True(verdict.IsReadable);
        Assert.Equal(4, verdict.ReadingsUsed);
        Assert.InRange(verdict.Confidence, 0.5, 0.8);
    }

    [Fact]
    public void A_confident_reading_outweighs_a_hesitant_one()
    {
        Assert.Equal("京A12345", PlateVote.Decide([Read("京A12346", 0.55f), Read("京A12345", 0.95f)]).Text);
        Assert.Equal("京A12346", PlateVote.Decide([Read("京A12346", 0.95f), Read("京A12345", 0.55f)]).Text);
    }

    [Fact]
    public void Two_hesitant_readings_together_outweigh_one_confident_one()
    {
        Assert.Equal("京A12346", PlateVote.Decide([Read("京A12346", 0.6f), Read("京A12346", 0.6f), Read("京A12345", 0.95f)]).Text);
    }

    [Fact]
    public void Length_is_decided_first_so_eight_character_plates_are_not_cut()
    {
        var verdict = PlateVote.Decide([Read("京AD12345", 0.9f), Read("京AD12345", 0.8f), Read("京A12345", 0.9f)]);

        Assert.Equal("京AD12345", verdict.Text);
    }

    [Fact]
    public void Agreement_makes_the_verdict_more_confident()
    {
        var agreed = PlateVote.Decide([Read("京A12345", 0.9f), Read("京A12345", 0.9f)]);
        var split = PlateVote.Decide([Read("京A12345", 0.9f), Read("京A12346", 0.9f)]);

        Assert.Equal(0.9, agreed.Confidence, 3);
        Assert.True(split.Confidence < agreed.Confidence);
    }

    [Fact]
    public void Invalid_or_low_confidence_readings_leave_the_plate_unreadable()
    {
        var verdict = PlateVote.Decide([Read("京A12345", 0.3f), Read("XX", 0.95f, valid: false), Read("京A12345", 0.49f)]);

        Assert.False(verdict.IsReadable);
        Assert.Null(verdict.Text);
        Assert.Equal(0, verdict.Confidence);
        Assert.False(PlateVote.Decide([]).IsReadable);
    }

    [Fact]
    public void Weak_readings_do_not_vote_against_a_good_one()
    {
        Assert.Equal("京A12345", PlateVote.Decide([Read("京B77777", 0.3f), Read("京B77777", 0.3f), Read("京A12345", 0.7f)]).Text);
    }
}
