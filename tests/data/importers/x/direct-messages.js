window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "1500000000000000001-44196397000",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "44196397000",
            "reactions": [],
            "urls": [],
            "text": "hey saw your post, you're cute",
            "mediaUrls": [],
            "senderId": "1500000000000000001",
            "id": "1733000000000000001",
            "createdAt": "2026-12-01T20:01:02.123Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "1500000000000000001",
            "reactions": [
              {
                "senderId": "1500000000000000001",
                "reactionKey": "like",
                "eventId": "1",
                "createdAt": "2026-12-01T20:03:00.000Z"
              }
            ],
            "urls": [],
            "text": "thanks :)",
            "mediaUrls": [],
            "senderId": "44196397000",
            "id": "1733000000000000002",
            "createdAt": "2026-12-01T20:02:10.000Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "44196397000",
            "reactions": [],
            "urls": [
              {
                "url": "https://t.co/AbCdEf",
                "expanded": "https://www.paypal.me/quickcash4471",
                "display": "paypal.me/quickcash4471"
              }
            ],
            "text": "I have your video. Send $400 to https://t.co/AbCdEf in 6 hours or it goes to everyone you follow https://t.co/ZzZzZz",
            "mediaUrls": [
              "https://ton.twitter.com/dm/1733000000000000003/1733000000000000099/Xy12Ab.jpg"
            ],
            "senderId": "1500000000000000001",
            "id": "1733000000000000003",
            "createdAt": "2026-12-02T08:00:00.000Z",
            "editHistory": [
              {
                "a": 1
              },
              {
                "a": 2
              }
            ]
          }
        }
      ]
    }
  }
]